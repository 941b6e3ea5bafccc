// Annotations: a query with an annotation matches a subset of the belief's annotations.
mood(happy)[source(self), certainty(high)].
!start.
+!start : mood(M)[certainty(C)] <- .print(M, C).
