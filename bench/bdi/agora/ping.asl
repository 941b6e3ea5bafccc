// Ping side of the BDI ping-pong benchmark: N round trips of tell/tell.
rounds(20000).
!start.
+!start <- .send(pong, tell, ping(1)).
+pong(N)[source(S)] : rounds(Max) & N < Max <- -pong(N)[source(S)]; .send(S, tell, ping(N + 1)).
+pong(N)[source(S)] : rounds(N) <- .print("done", N); .stopMAS.
