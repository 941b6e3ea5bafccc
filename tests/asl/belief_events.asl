// hand: python-agentspeak runs the +b plan before the rest of the body; in Jason a belief change starts a new intention that interleaves with the current one.
!start.
+!start <- +light(on); -light(on); .print("done").
+light(S) <- .print("added", S).
-light(S) <- .print("removed", S).
