// ?g reads a belief and binds variables.
temperature(21).
!start.
+!start <- ?temperature(T); .print("temperature", T).
