// ~b is a literal of its own (strong negation).
~raining.
!start.
+!start : ~raining <- .print("it is not raining").
