"""Writes a small TFRecord event file with TensorBoard's own record writer
and protobuf classes, as the reference Agora's TensorBoard writer is
compared against byte for byte (runtime/src/telemetry/tensorboard.rs).

Provenance of the committed file: tensorboard 2.18.0 (pure Python, no
TensorFlow), protobuf 7.36.2, CPython 3.11.7; run on 2026-12-02 as
    python bench/control/tensorboard_reference.py runtime/tests/data/tensorboard/reference.tfevents
The events: the file-version record at wall time 1700000000.5, then two
scalars (train/mean_return 42.5 at step 7, losses/td_loss 0.125 at step
4096, wall times 1700000001.25 and 1700000002.0).
"""

import sys

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter


def scalar(wall_time, step, tag, value):
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
    return event_pb2.Event(wall_time=wall_time, step=step, summary=summary)


def main():
    with open(sys.argv[1], "wb") as out:
        writer = RecordWriter(out)
        writer.write(event_pb2.Event(wall_time=1700000000.5, file_version="brain.Event:2").SerializeToString())
        writer.write(scalar(1700000001.25, 7, "train/mean_return", 42.5).SerializeToString())
        writer.write(scalar(1700000002.0, 4096, "losses/td_loss", 0.125).SerializeToString())
        writer.flush()


if __name__ == "__main__":
    main()
