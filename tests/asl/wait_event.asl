// hand: python-agentspeak runs the waiting intention only after the other one finishes; in Jason .wait("+b") resumes the intention as soon as the event is generated, ahead of the intention that generated it.
!waiter.
!setter.
+!waiter <- .print("waiting"); .wait("+ready"); .print("woke up").
+!setter <- .print("setting"); +ready; .print("set").
