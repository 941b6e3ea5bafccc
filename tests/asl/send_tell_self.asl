// .send tell to oneself adds a belief annotated with the sender.
!start.
+!start <- .my_name(Me); .send(Me, tell, greeting(hi)).
+greeting(G)[source(S)] <- .print("got", G, "from", S).
