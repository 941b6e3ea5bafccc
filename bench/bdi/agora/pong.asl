// Pong side of the BDI ping-pong benchmark.
+ping(N)[source(S)] <- -ping(N)[source(S)]; .send(S, tell, pong(N)).
