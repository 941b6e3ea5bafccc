// Contract net, after Jason's example: call for proposals, count answers,
// award the cheapest offer when everyone answered (or at the deadline),
// wait for the winner to report, stop the MAS.

participants([p1, p2, p3]).
expected(3).
answers(0).
!start(1, fix(computer)).

+!start(Id, Task) <-
    ?participants(Ps);
    .print("call for proposals:", Task);
    !announce(Ps, Id, Task);
    .wait(3000);
    !deadline(Id).

+!announce([], _, _).
+!announce([P|Ps], Id, Task) <-
    .send(P, tell, cfp(Id, Task));
    !announce(Ps, Id, Task).

+propose(Id, Offer)[source(A)] <- !answered(Id).
+refuse(Id)[source(A)] <- .print(A, "refused"); !answered(Id).

+!answered(Id) : answers(N) & expected(E) & N + 1 == E <- -+answers(N + 1); !award(Id).
+!answered(Id) : answers(N) <- -+answers(N + 1).

+!deadline(Id) : not awarded(Id) <- .print("deadline passed"); !award(Id).
+!deadline(Id).

+!award(Id) : not awarded(Id) <-
    +awarded(Id);
    .findall(offer(O, A), propose(Id, O)[source(A)], Offers);
    !choose(Id, Offers).
+!award(Id).

+!choose(Id, []) <- .print("no offers"); .stopMAS.
+!choose(Id, Offers) <-
    .min(Offers, offer(Best, Winner));
    .length(Offers, N);
    .print("awarding to", Winner, "at", Best, "among", N, "offers");
    !notify(Id, Winner, Offers).

+!notify(_, _, []).
+!notify(Id, W, [offer(_, W)|T]) <- .send(W, tell, accept_proposal(Id)); !notify(Id, W, T).
+!notify(Id, W, [offer(_, A)|T]) : A \== W <- .send(A, tell, reject_proposal(Id)); !notify(Id, W, T).

+done(Id, Result)[source(A)] <- .print(A, "reports", Result); .stopMAS.
