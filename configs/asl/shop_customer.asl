// A customer asks the shop for a price (askOne), orders when it can afford
// it (achieve), and ends the run when the order is confirmed.

budget(30).
!buy(book).

+!buy(Item) <-
    .print("asking the price of", Item);
    .send(shop, askOne, price(Item, P), price(Item, Price));
    ?budget(B);
    .print(Item, "costs", Price, "budget", B);
    !order(Item, Price, B).

+!order(Item, Price, B) : Price <= B <-
    .my_name(Me);
    .send(shop, achieve, ship(Item, Me)).

+!order(Item, Price, B) : Price > B <-
    .print("too expensive; leaving");
    .stopMAS.

+shipped(Item, Parcel)[source(shop)] <-
    .print("received", Item, "in parcel", Parcel);
    .stopMAS.

-!buy(Item) <-
    .print("no price for", Item);
    .stopMAS.
