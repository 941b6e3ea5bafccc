// .my_name gives the agent's name (the file stem by default).
!start.
+!start <- .my_name(N); .print("I am", N).
