// Message content keeps its structure: both arguments, nested terms and lists arrive.
!start.
+!start <- .my_name(Me); .send(Me, achieve, say("hello", "world", f(g(1), h), [1, 2, 3])).
+!say(What, Who, T, L) <- .print(What, Who, T, L).
