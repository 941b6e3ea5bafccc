// hand: python-agentspeak sends achieve messages but an achieve plan cannot see source annotations there; Jason annotates source(Sender).
!start.
+!start <- .my_name(Me); .send(Me, achieve, hello).
+!hello[source(S)] <- .print("hello from", S).
