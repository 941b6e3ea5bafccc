"""Prints every scalar of one TensorBoard event file as a JSON line
{"tag", "step", "value"}, read by tensorboard's own record reader and event
protos (what `tensorboard --logdir` runs without TensorFlow installed). The
record reader checks both masked CRC-32Cs of every record and raises
DataLossError on a mismatch; this script then exits 1 with the error. (The
higher-level EventFileLoader would log such an error and stop reading, as it
does for a file still being written.)

    python tests/python/read_tensorboard.py EVENT_FILE
"""

import json
import sys

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New


def records(path):
    reader = PyRecordReader_New(path)
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return
        yield reader.record()


def scalars(path):
    for record in records(path):
        event = event_pb2.Event.FromString(record)
        for value in event.summary.value:
            if value.HasField("simple_value"):
                yield {"tag": value.tag, "step": event.step, "value": value.simple_value}


def main():
    path = sys.argv[1]
    try:
        for scalar in scalars(path):
            print(json.dumps(scalar))
    except Exception as error:  # the reader's own error, named and fatal
        print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
