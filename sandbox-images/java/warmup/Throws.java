import java.util.*;

class Helper {
  static int parse(String s) {
    return Integer.parseInt(s);
  }
}

public class Throws {
  public static void main(String[] args) {
    assert args.length == 0 : "no arguments";
    Scanner in = new Scanner(System.in);
    long total = 0;
    while (in.hasNextLong()) total += in.nextLong();
    System.out.println(total);
    System.out.println(Helper.parse("not a number"));
  }
}
