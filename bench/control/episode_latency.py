"""Latency of `runs/{run}/telemetry/episode` as an outside MQTT client sees
it: receive time minus the event's `at`, for every episode of one run.

Usage: python episode_latency.py PORT > result.json
while `agora --broker embedded:PORT run CONFIG` runs (started after this
script; it stops at the run's final status). Needs paho-mqtt 2.x.
"""

import json
import socket
import sys
import threading
import time

import paho.mqtt.client as mqtt


def main():
    port = int(sys.argv[1])
    latencies = []
    ended = threading.Event()

    def on_connect(client, userdata, flags, reason, properties):
        client.subscribe("agora/default/runs/+/telemetry/episode", qos=0)
        client.subscribe("agora/default/runs/+/status", qos=1)

    def on_message(client, userdata, msg):
        now = time.time()
        message = json.loads(msg.payload)
        if msg.topic.endswith("/status"):
            if message.get("status") in ("completed", "stopped", "failed"):
                ended.set()
        elif message.get("at"):
            latencies.append((now - message["at"]) * 1000)

    def on_socket_open(client, userdata, sock):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"latency-{time.time_ns()}")
    client.on_socket_open, client.on_connect, client.on_message = on_socket_open, on_connect, on_message
    while True:
        try:
            client.connect("127.0.0.1", port)
            break
        except OSError:
            time.sleep(0.2)
    client.loop_start()
    ended.wait(600)
    client.loop_stop()
    latencies.sort()
    n = len(latencies)
    print(json.dumps({"episodes": n, "p50_ms": latencies[n // 2], "p99_ms": latencies[int(n * 0.99)],
                      "max_ms": latencies[-1]}))


if __name__ == "__main__":
    main()
