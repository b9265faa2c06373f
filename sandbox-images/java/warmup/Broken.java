import java.util.*;

public class Broken {
  public static void main(String[] args) {
    List<Integer> xs = new ArrayList<>();
    String s = xs.size();
    System.out.println(undefinedName + s);
  }
}
