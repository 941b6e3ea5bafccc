// .min and .max of a list of numbers.
!start.
+!start <- .min([4, 2, 9], Min); .max([4, 2, 9], Max); .print(Min, Max).
