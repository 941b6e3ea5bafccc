// hand: python-agentspeak's -+ keeps or drops the old belief depending on PYTHONHASHSEED; Jason removes it, so counter is 2.
counter(0).
!start.
+!start <- -+counter(1); -+counter(2); ?counter(C); .print("counter", C).
