// Line comments
/* and block
   comments */
!start. // after a goal
+!start <- /* inside */ .print("comments ignored").
