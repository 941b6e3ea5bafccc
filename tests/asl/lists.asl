// Lists and [Head|Tail] patterns.
!start.
+!start <- L = [1, 2, 3]; L = [H|T]; .print(H, T);
   [A|Rest] = [a, b, c, d]; .print(A, Rest).
