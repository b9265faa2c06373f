import type { HarnessComposer, HiddenMarker } from '../compose.js';
import { javaEntryFor, javaPublicFile } from './entry.js';
import { jdkTypes } from './jdk-types.js';
import { javaTopLevel, type JavaTopLevel } from './top-level.js';

/**
 * Imports for the test code's file: the candidate's own (HumanEval-X's test code relies on them),
 * then, for each top-level type of the candidate's named like a JDK type the test code would
 * otherwise get through an on-demand import (`class Arrays` against `import java.util.*;`, a
 * `class Objects` against java.lang), a single-type import of the JDK's: a type of the same
 * package would shadow the on-demand import, a single-type import shadows the package's type.
 * All on one line, so the test code keeps its own line numbers.
 */
function testImports(candidate: JavaTopLevel): string {
  const own: string[] = [];
  for (const name of candidate.types) {
    if (candidate.singleNames.has(name)) continue;
    const pkg = candidate.onDemand.find((p) => jdkTypes.get(p)?.has(name));
    if (pkg !== undefined) own.push(`import ${pkg}.${name};`);
  }
  const all = [...candidate.imports, ...own];
  return all.length === 0 ? '' : `${all.join(' ')} `;
}

/** The entry class: runs the test code's main, then prints the marker, decoded only then, from a local table. */
function trailer(className: string, mainClass: string, candidateFile: string, testFile: string, proof: HiddenMarker): string {
  // Every name qualified: a class of the candidate's (same package) would shadow java.lang's here too.
  return `public final class ${className} {
  public static void main(java.lang.String[] args) throws java.lang.Throwable {
    try {
      ${mainClass}.main(args);
    } catch (java.lang.AssertionError e) {
      if (e.getClass().getClassLoader() == null && inTestCode(e)) print(new int[] {${proof.list}}, ${proof.failed.start}, ${proof.failed.length});
      throw e;
    }
    print(new int[] {${proof.list}}, ${proof.done.start}, ${proof.done.length});
  }
  private static void print(int[] table, int start, int length) throws java.io.IOException {
    byte[] line = new byte[length];
    for (int i = 0; i < length; i++) line[i] = (byte) (table[start + i] ^ table[start + length + i]);
    java.lang.System.out.flush();
    java.io.FileOutputStream out = new java.io.FileOutputStream(java.io.FileDescriptor.out);
    out.write(line);
    out.flush();
  }
  private static boolean inTestCode(java.lang.Throwable e) {
    for (java.lang.StackTraceElement frame : e.getStackTrace()) {
      if ("${testFile}".equals(frame.getFileName())) return true;
      if ("${candidateFile}".equals(frame.getFileName())) return false;
    }
    return false;
  }
}
`;
}

/**
 * Java: the candidate and the test code are compilation units of their own, so a class of the
 * candidate's cannot stand for a JDK class the test code names (see testImports), and an
 * AssertionError is the test code's when the innermost frame of the two files is in the test
 * code's. An entry class of a random name (the compile driver runs the entry file's main) calls
 * the test code's main, then prints the marker: System.exit and Runtime.halt end the JVM before
 * that. Its table is built in main only then, never a field a candidate could reflect on; its
 * source is removed once compiled. An AssertionError of the JDK's own class (so its stack is the
 * JVM's) from the test code is the check-failed line.
 */
export const javaHarness: HarnessComposer = ({ source, testCode, proof }) => {
  const testFile = javaEntryFor(testCode);
  let candidateFile = javaPublicFile(source) ?? 'Solution.java';
  // Two public classes of one name: javac's own error says so, not a 400 for a path given twice.
  if (candidateFile === testFile) candidateFile = 'Candidate.java';
  const className = `Verdict_${proof.fileTag}`;
  return {
    files: [
      { path: `${className}.java`, content: trailer(className, testFile.replace(/\.java$/, ''), candidateFile, testFile, proof) },
      { path: candidateFile, content: source },
      { path: testFile, content: `${testImports(javaTopLevel(source))}${testCode}\n` },
    ],
    compileOnly: [`${className}.java`],
  };
};
