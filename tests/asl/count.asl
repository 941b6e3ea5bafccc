// .count counts solutions of a formula.
seen(a). seen(b). seen(c).
!start.
+!start <- .count(seen(_), N); .print("seen", N); .count(seen(z), Z); .print("z", Z).
