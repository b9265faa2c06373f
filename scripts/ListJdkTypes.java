import java.lang.module.*;
import java.util.*;
public class ListJdkTypes {
  public static void main(String[] args) throws Exception {
    ModuleReference ref = ModuleFinder.ofSystem().find("java.base").get();
    Set<String> wanted = new TreeSet<>(Arrays.asList(args));
    Map<String, TreeSet<String>> out = new TreeMap<>();
    try (ModuleReader r = ref.open()) {
      for (String name : (Iterable<String>) r.list()::iterator) {
        if (!name.endsWith(".class") || name.contains("$")) continue;
        int slash = name.lastIndexOf('/');
        if (slash < 0) continue;
        String pkg = name.substring(0, slash).replace('/', '.');
        if (!wanted.contains(pkg)) continue;
        String cls = pkg + "." + name.substring(slash + 1, name.length() - 6);
        Class<?> c;
        try { c = Class.forName(cls, false, ClassLoader.getSystemClassLoader()); } catch (Throwable t) { continue; }
        if (!java.lang.reflect.Modifier.isPublic(c.getModifiers()) || c.getEnclosingClass() != null) continue;
        out.computeIfAbsent(pkg, k -> new TreeSet<>()).add(c.getSimpleName());
      }
    }
    for (var e : out.entrySet()) System.out.println(e.getKey() + " " + String.join(" ", e.getValue()));
  }
}
