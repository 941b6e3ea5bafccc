// | in a context: either side may hold.
weather(rain).
!start.
+!start : weather(sun) | weather(rain) <- .print("some weather").
