"""The AgentSpeak programs both sides of the BDI benchmark run (the Rust
side embeds the same text, see bdi/benches/peer.rs)."""

COUNT = """
+!count(N) : N < 100000 <- !count(N + 1).
+!count(N) : N >= 100000.
"""

BELIEFS = """
+!add(N) : N < 10000 <- +b(N); !add(N + 1).
+!add(N) : N >= 10000.
+!remove(N) : N < 10000 <- -b(N); !remove(N + 1).
+!remove(N) : N >= 10000.
+b(X) <- Y = X.
-b(X) <- Y = X.
"""

QUERIES = """
+!setup(N) : N < 1000 <- +v(N, N * 2); !setup(N + 1).
+!setup(N) : N >= 1000.
+!query(N) : N < 10000 <- K = N mod 1000; ?v(K, V); !query(N + 1).
+!query(N) : N >= 10000.
"""
