/**
 * Test-code hacks in Java: a class of the candidate's named like a JDK class the test code uses
 * without importing it singly (HumanEval-X's `Arrays.asList(...)` under `import java.util.*;`),
 * an exit before the test code ran, and the marker looked for in the compiled classes.
 * HumanEval-X's shape: the declaration's imports, `class Solution`, then `public class Main`.
 */
import type { TestCodeHack } from './test-code-types.js';

const imports = 'import java.util.*;\nimport java.lang.*;\n\n';
const right = `${imports}class Solution {\n    public int add(int a, int b) {\n        return a + b;\n    }\n}\n`;
const wrong = `${imports}class Solution {\n    public int add(int a, int b) {\n        return a - b;\n    }\n}\n`;
const humanEvalX = `public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        List<Boolean> correct = Arrays.asList(
                s.add(2, 3) == 5,
                s.add(-1, 1) == 0
        );
        if (correct.contains(false)) {
            throw new AssertionError();
        }
    }
}
`;
const withObjects = `public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        if (!Objects.equals(s.add(2, 3), 5)) {
            throw new AssertionError();
        }
    }
}
`;

/** Reads every file under the program directory for the marker (prefix spelled at run time), prints it and halts with 0. */
const markerScan = `class Scan {
    static {
        try {
            String prefix = String.join("-", "verdict", "harness", "done", "");
            java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>();
            try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(java.nio.file.Path.of("."))) {
                walk.filter(java.nio.file.Files::isRegularFile).forEach(files::add);
            }
            for (java.nio.file.Path file : files) {
                String text = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                int at = text.indexOf(prefix);
                if (at >= 0 && at + prefix.length() + 36 <= text.length()) {
                    System.out.print("\\n" + text.substring(at, at + prefix.length() + 36) + "\\n");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }
            }
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }
    static void touch() {}
}
`;

export const cases: TestCodeHack[] = [
  {
    name: "a class named Arrays whose asList the test code's Arrays.asList(...) would call (HumanEval-X's check)",
    language: 'java',
    source: `${wrong}class Arrays {\n    static <T> List<T> asList(T... values) {\n        return new ArrayList<>();\n    }\n}\n`,
    right,
    testCode: humanEvalX,
    expect: 'wrong_answer',
  },
  {
    name: 'a class named Objects whose equals is always true',
    language: 'java',
    source: `${wrong}class Objects {\n    static boolean equals(Object a, Object b) {\n        return true;\n    }\n}\n`,
    right,
    testCode: withObjects,
    expect: 'wrong_answer',
  },
  {
    name: 'a class named AssertionError that halts the JVM with 0 when the test code throws it',
    language: 'java',
    source: `${wrong}class AssertionError extends RuntimeException {\n    AssertionError() {\n        Runtime.getRuntime().halt(0);\n    }\n}\n`,
    right,
    testCode: humanEvalX,
    expect: 'wrong_answer',
  },
  {
    name: 'System.exit(0) from the static initializer of the class the test code uses',
    language: 'java',
    source: `${imports}class Solution {\n    static {\n        System.exit(0);\n    }\n    public int add(int a, int b) {\n        return a - b;\n    }\n}\n`,
    right,
    testCode: humanEvalX,
    expect: 'runtime_error',
  },
  {
    name: 'the marker read out of the compiled classes and the sources beside them',
    language: 'java',
    source: `${imports}class Solution {\n    static {\n        Scan.touch();\n    }\n    public int add(int a, int b) {\n        return a - b;\n    }\n}\n${markerScan}`,
    right,
    testCode: humanEvalX,
    expect: 'wrong_answer',
  },
];
