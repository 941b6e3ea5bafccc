// hand: python-agentspeak turns every number into a float; Jason keeps integers and reals apart, which .term2string shows.
!start.
+!start <- .term2string(7 div 2, A); .term2string(7 / 2, B); .term2string(2.0, C); .print(A, B, C).
