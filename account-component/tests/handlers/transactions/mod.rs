mod deposit;
mod withdraw;
