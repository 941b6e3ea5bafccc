// Contract-net participant: bids its cost (a belief from the config), or
// refuses when busy; does the task when its proposal is accepted.

+cfp(Id, Task)[source(A)] : busy <- .send(A, tell, refuse(Id)).
+cfp(Id, Task)[source(A)] : cost(C) <- .send(A, tell, propose(Id, C)).

+accept_proposal(Id)[source(A)] <-
    .my_name(Me);
    .print("won contract", Id);
    .send(A, tell, done(Id, fixed_by(Me))).

+reject_proposal(Id) <- .print("lost contract", Id).
