fn main() {}
mod hash_phones;
