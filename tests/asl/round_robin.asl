// hand: python-agentspeak runs one intention to completion first; Jason interleaves intentions one step per cycle (one event handled per cycle, so !b starts a cycle later).
!a.
!b.
+!a <- .print(a1); .print(a2); .print(a3).
+!b <- .print(b1); .print(b2); .print(b3).
