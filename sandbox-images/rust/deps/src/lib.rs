pub use md5;
pub use rand;
pub use regex;
