// A plan context reads beliefs and binds variables for the body.
colour(sky, blue).
!describe(sky).
+!describe(Thing) : colour(Thing, C) <- .print(Thing, "is", C).
