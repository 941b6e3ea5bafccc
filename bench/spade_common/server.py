#!/usr/bin/env python3
"""SPADE's embedded XMPP server (pyjabber, what `spade run` starts), loopback only.

    python3 server.py --port 25222 [--state-dir DIR] [--log-level WARNING]

Differences from `spade run` (all on purpose, for a benchmark on a shared box):
  * binds 127.0.0.1 only.  pyjabber binds [host, <local IP>] where the local
    IP is found by "connecting" a UDP socket to 10.254.254.254; we replace
    that lookup with None so only 127.0.0.1 is bound (and no socket is ever
    aimed at a non-loopback address).  The XMPP domain stays "localhost".
  * the s2s listener gets an ephemeral loopback port (it is unused here) instead
    of the fixed 5269, so several servers can run at once.
  * pyjabber's admin/upload web server (aiohttp, fixed port 9090) is not
    started; the HTTP-upload plugin itself stays registered, because removing
    it from `plugins` breaks pyjabber 0.4.5: every client stream then dies
    silently right after resource binding (PluginManager always instantiates
    HTTPFieldUpload, which only works if Server() created it), so no stanza
    is ever routed.
  * a fresh state dir per run (SQLite DB + TLS certificate), a temp dir unless
    --state-dir is given; removed on exit if we created it.
Everything else is pyjabber's defaults as `spade run` uses them (file SQLite
DB, message persistence on, connection timeout 600 s).

Prints `READY 127.0.0.1:<port>` on stdout once the listener accepts clients.
Stops on SIGTERM/SIGINT.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _venv  # noqa: E402

_venv.ensure()

import asyncio  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402

DOMAIN = "localhost"
BIND = "127.0.0.1"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True, help="client (c2s) port")
    ap.add_argument("--state-dir", default=None,
                    help="empty dir for DB and certs (default: a fresh temp dir)")
    ap.add_argument("--log-level", default="WARNING",
                    help="loguru level for the server log on stderr "
                         "(`spade run` uses INFO; default WARNING)")
    args = ap.parse_args()

    own_dir = args.state_dir is None
    state = tempfile.mkdtemp(prefix="spade-xmpp-") if own_dir else args.state_dir
    os.makedirs(state, exist_ok=True)
    try:
        return asyncio_main(args, state)
    finally:
        if own_dir:
            shutil.rmtree(state, ignore_errors=True)


def asyncio_main(args, state: str) -> int:
    from loguru import logger
    import pyjabber
    import pyjabber.server as pjs
    from pyjabber.server_parameters import Parameters
    import spade.container

    logger.remove()
    logger.add(sys.stderr, level=args.log_level.upper(),
               format="{time:HH:mm:ss.SSS} server {level}: {message}")

    # 1. Loopback only: no "public IP" listener.
    pjs.setup_query_local_ip = lambda: None

    # 2. Per-run certs: copy pyjabber's bundled CA, the host cert is generated
    #    into the state dir (not into site-packages).
    certs = os.path.join(state, "certs")
    os.makedirs(certs, exist_ok=True)
    bundled = os.path.join(os.path.dirname(pyjabber.__file__), "network", "certs")
    for f in ("ca_cert.pem", "ca_key.pem"):
        shutil.copy(os.path.join(bundled, f), certs)

    # 3. Ephemeral s2s port on loopback (unused by the benchmark).
    with socket.socket() as s:
        s.bind((BIND, 0))
        s2s_port = s.getsockname()[1]

    params = Parameters(
        host=DOMAIN,
        client_port=args.port,
        server_port=s2s_port,
        connection_timeout=600,
        database_path=os.path.join(state, "server.db"),
        cert_path=certs,
    )

    server = pjs.Server(params)
    server._host = BIND  # listen address; the XMPP domain (AppConfig.host) stays DOMAIN
    server._http_server = None  # don't start the admin/upload site on :9090

    container = spade.container.Container()  # same (uvloop) loop as `spade run`
    loop = container.loop

    ready = {"ok": False}
    main_task = loop.create_task(server.start())

    def stop():
        main_task.cancel()

    async def announce():
        await server.ready.wait()
        # pyjabber's own SIGTERM/SIGINT handlers raise SystemExit from inside
        # whatever callback runs (noisy tracebacks in SSL transports); cancel
        # the server task instead, which runs its orderly shutdown path.
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        socks = [s.getsockname() for s in server._client_listener.sockets]
        if any(addr[0] != BIND for addr in socks):
            print(f"unexpected listener {socks}", file=sys.stderr, flush=True)
            stop()
            return
        ready["ok"] = True
        print(f"READY {BIND}:{args.port} domain={DOMAIN} state={state}", flush=True)

    loop.create_task(announce())
    try:
        loop.run_until_complete(main_task)
    except (SystemExit, KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        pool = pyjabber.AppConfig.app_config.process_pool_exe
        pool.shutdown(wait=False, cancel_futures=True)
    return 0 if ready["ok"] else 1

if __name__ == "__main__":
    sys.exit(main())
