import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.util.ElementFilter;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * javac in this JVM, then the choice of the class to run, written to a file the
 * java launcher reads as an @argfile. A program may name its classes anything:
 * the entry file's own class wins when it has a main method, else the first
 * class of the entry file that has one, else the only one in the program.
 *
 * Usage: Compile <entry.java> <main-class file> <javac options and files...>
 */
public final class Compile {
  private record Type(String binaryName, Path file, boolean topLevel, boolean hasMain) {}

  public static void main(String[] args) throws Exception {
    Path entry = Path.of(args[0]).normalize();
    String entryName = entry.getFileName().toString();
    String stem = entryName.substring(0, entryName.length() - ".java".length());
    Path mainClassFile = Path.of(args[1]);
    List<String> options = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (int i = 2; i < args.length; i++) (args[i].endsWith(".java") ? sources : options).add(args[i]);

    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromStrings(sources);
    JavacTask task = (JavacTask) javac.getTask(err, files, null, options, null, units);
    List<Type> types = new ArrayList<>();
    task.addTaskListener(new TaskListener() {
      @Override
      public void finished(TaskEvent e) {
        // One event per top-level class, in source order; nested classes come with it.
        if (e.getKind() == TaskEvent.Kind.ANALYZE && e.getTypeElement() != null) {
          collect(task, e.getTypeElement(), Path.of(e.getSourceFile().getName()).normalize(), types);
        }
      }
    });
    boolean ok = task.call();
    err.flush();
    if (!ok) System.exit(1);

    String chosen = choose(types, entry, stem);
    if (chosen == null) {
      List<String> withMain = types.stream().filter(Type::hasMain).map(Type::binaryName).toList();
      err.println(withMain.isEmpty()
          ? "error: no class has a method public static void main(String[] args)"
          : "error: " + entry + " has no class with a main method, and several other classes have one: " + String.join(", ", withMain));
      System.exit(1);
    }
    Files.writeString(mainClassFile, chosen + "\n");
  }

  private static String choose(List<Type> types, Path entry, String stem) {
    for (Type t : types) {
      if (t.file.equals(entry) && t.topLevel && t.hasMain && simpleName(t.binaryName).equals(stem)) return t.binaryName;
    }
    for (Type t : types) if (t.file.equals(entry) && t.topLevel && t.hasMain) return t.binaryName;
    for (Type t : types) if (t.file.equals(entry) && t.hasMain) return t.binaryName;
    List<Type> others = types.stream().filter(Type::hasMain).toList();
    return others.size() == 1 ? others.get(0).binaryName : null;
  }

  private static void collect(JavacTask task, TypeElement type, Path file, List<Type> into) {
    String name = task.getElements().getBinaryName(type).toString();
    into.add(new Type(name, file, type.getNestingKind() == NestingKind.TOP_LEVEL, hasMain(type)));
    for (TypeElement nested : ElementFilter.typesIn(type.getEnclosedElements())) collect(task, nested, file, into);
  }

  /** What the java launcher of Java 17 runs: public static void main(String[]). */
  private static boolean hasMain(TypeElement type) {
    for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (!m.getSimpleName().contentEquals("main")) continue;
      if (!m.getModifiers().contains(Modifier.PUBLIC) || !m.getModifiers().contains(Modifier.STATIC)) continue;
      if (m.getReturnType().getKind() != TypeKind.VOID || m.getParameters().size() != 1) continue;
      if (m.getParameters().get(0).asType() instanceof ArrayType array && array.getComponentType().toString().equals("java.lang.String")) return true;
    }
    return false;
  }

  private static String simpleName(String binaryName) {
    return binaryName.substring(binaryName.lastIndexOf('.') + 1);
  }
}
