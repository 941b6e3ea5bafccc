// The shop answers price questions from its beliefs (askOne is answered by
// the engine) and ships orders it is asked to achieve.

price(book, 25).
price(pen, 3).
parcels(0).

+!ship(Item, Customer)[source(Customer)] <-
    ?parcels(N);
    -+parcels(N + 1);
    .concat("P", N + 1, Parcel);
    .print("shipping", Item, "to", Customer);
    .send(Customer, tell, shipped(Item, Parcel)).
