// Plans may carry @labels; they do not change behaviour.
!start.
@first_plan +!start <- .print("labelled plan ran").
