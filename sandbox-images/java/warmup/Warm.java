import java.io.*;
import java.math.*;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

public class Warm {
  record Point(int x, int y) {}
  enum Color { RED, GREEN }
  public static void main(String[] args) throws Exception {
    Scanner sc = new Scanner(System.in);
    int n = sc.hasNextInt() ? sc.nextInt() : 3;
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) xs.add(i * 7 % 5);
    Map<Integer, Long> counts = xs.stream().collect(Collectors.groupingBy(x -> x, TreeMap::new, Collectors.counting()));
    String joined = xs.stream().map(String::valueOf).collect(Collectors.joining(","));
    int sum = IntStream.range(0, n).filter(i -> i % 2 == 0).sum();
    Optional<Integer> mx = xs.stream().max(Comparator.naturalOrder());
    PriorityQueue<int[]> pq = new PriorityQueue<>((a, b) -> a[0] - b[0]);
    pq.add(new int[] {3}); pq.add(new int[] {1});
    Deque<Integer> dq = new ArrayDeque<>(); dq.push(1);
    Set<String> hs = new HashSet<>(Arrays.asList("a b c".split(" ")));
    String s = "n=" + n + " sum=" + sum + " max=" + mx.orElse(-1) + " " + counts + " " + joined + " " + hs.size();
    System.out.println(s);
    System.out.printf("%.3f %d %s%n", Math.sqrt(2), 42L, new Point(1, 2));
    System.out.println(String.format("%5s|%-3d|", "x", 7) + Color.valueOf("RED") + new BigInteger("123456789012345678901234567890").multiply(BigInteger.TWO) + new BigDecimal("1.5").setScale(3, RoundingMode.HALF_UP));
    Function<Integer, Integer> f = x -> x + 1; Supplier<String> sp = () -> "ok"; BiFunction<Integer, Integer, Integer> g = Integer::sum;
    System.out.println(f.apply(1) + g.apply(2, 3) + sp.get());
    switch ("abc") { case "abc": System.out.println("sw"); break; default: }
    char[] cs = "hello".toCharArray(); Arrays.sort(cs); System.out.println(new String(cs).toUpperCase() + Character.isDigit('4'));
    List<String> words = new ArrayList<>(List.of("b", "a")); Collections.sort(words); words.sort(Comparator.comparing(String::length).thenComparing(Comparator.reverseOrder()));
    StringBuilder sb = new StringBuilder(); for (String w : words) sb.append(w).append(' '); System.out.println(sb.reverse());
    BufferedReader br = new BufferedReader(new InputStreamReader(new ByteArrayInputStream("1 2\n".getBytes())));
    StringTokenizer st = new StringTokenizer(br.readLine()); PrintWriter pw = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
    pw.println(Integer.parseInt(st.nextToken()) + Long.parseLong(st.nextToken())); pw.flush();
    int[] arr = {5, 3, 1}; Arrays.sort(arr); System.out.println(Arrays.toString(arr) + Arrays.stream(arr).boxed().collect(Collectors.toList()) + Math.abs(-3) + Math.max(1, 2) + Objects.hash(1, 2));
    try { Object o = null; o.toString(); } catch (NullPointerException e) { System.out.println("npe " + e.getClass().getSimpleName()); }
    Thread t = new Thread(() -> System.out.println("thread")); t.start(); t.join();
  }
}
