// Negative literals and subtraction.
temp(-5).
!start.
+!start : temp(T) & T < 0 <- .print(T, 0 - T, T * 2).
