// .sort orders numbers and atoms.
!start.
+!start <- .sort([3, 1, 2], N); .print(N); .sort([pear, apple, fig], A); .print(A).
