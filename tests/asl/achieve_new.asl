// !!g starts a separate intention; the caller does not wait for it.
!start.
+!start <- !!other.
+!other <- .print("other ran").
