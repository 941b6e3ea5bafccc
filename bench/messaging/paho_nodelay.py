"""Round trips from a paho-mqtt client to Agora's `echo`, with and without
TCP_NODELAY, alternating, as the README's client example does them.

Usage: python paho_nodelay.py PORT [ROUND_TRIPS] [REPEATS]
(`agora run configs/echo.toml --broker embedded:PORT` serving meanwhile;
needs paho-mqtt 2.x). Prints one JSON line per repeat and mode.
"""

import json
import socket
import statistics
import sys
import threading
import time
import uuid

import paho.mqtt.client as mqtt


def round_trips(port: int, count: int, nodelay: bool) -> list[float]:
    me = f"py-{uuid.uuid4().hex[:8]}"
    inbox = f"agora/default/agents/{me}/inbox"
    answered = threading.Event()
    ready = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=me)

    def on_socket_open(client, userdata, sock):
        if nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    client.on_socket_open = on_socket_open
    client.on_connect = lambda c, u, f, r, p: c.subscribe(inbox, qos=1)
    client.on_subscribe = lambda c, u, m, r, p: ready.set()
    client.on_message = lambda c, u, msg: answered.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    ready.wait(10)
    times = []
    for i in range(count):
        request = {"id": str(uuid.uuid4()), "performative": "request", "sender": me,
                   "receiver": "echo", "reply_with": f"q{i}", "content": i}
        answered.clear()
        start = time.perf_counter()
        client.publish("agora/default/agents/echo/inbox", json.dumps(request), qos=1)
        if not answered.wait(5):
            raise SystemExit(f"no answer to request {i}")
        times.append(time.perf_counter() - start)
    client.loop_stop()
    client.disconnect()
    return times


def main() -> None:
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    for repeat in range(repeats):
        for nodelay in (False, True):
            times = round_trips(port, count, nodelay)
            print(json.dumps({
                "repeat": repeat, "nodelay": nodelay, "round_trips": count,
                "p50_us": statistics.median(times) * 1e6,
                "p99_us": sorted(times)[int(0.99 * (count - 1))] * 1e6,
            }))


if __name__ == "__main__":
    main()
