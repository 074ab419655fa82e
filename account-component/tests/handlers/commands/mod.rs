mod close;
mod deposit;
mod open;
mod withdraw;
