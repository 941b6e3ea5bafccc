// Initial beliefs raise +b events before the initial goals run.
count(3).
!start.
+count(N) <- .print("belief added", N).
+!start <- .print("goal").
