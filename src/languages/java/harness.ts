import { checkFailedMarker, sourceLines, type HarnessComposer } from '../compose.js';
import { javaEntryFor } from './entry.js';

/**
 * Java: a wrapper class is the entry (the compile driver runs the entry file's
 * main); it calls the program's own main, then prints the marker. System.exit
 * and Runtime.halt end the JVM before that. An AssertionError of the JDK's own
 * class (so its stack is the JVM's) whose innermost frame in the program's file
 * lies past the candidate's lines was thrown by the test code.
 */
export const javaHarness: HarnessComposer = ({ source, testCode, marker }) => {
  const program = `${source}\n${testCode}\n`;
  const file = javaEntryFor(program);
  const mainClass = file.replace(/\.java$/, '');
  return {
    files: [
      {
        path: 'VerdictHarness.java',
        content: `public final class VerdictHarness {
  public static void main(String[] args) throws Throwable {
    try {
      ${mainClass}.main(args);
    } catch (AssertionError e) {
      if (e.getClass().getClassLoader() == null && inTestCode(e)) {
        System.out.flush();
        System.out.print("\\n${checkFailedMarker(marker)}\\n");
        System.out.flush();
      }
      throw e;
    }
    System.out.flush();
    System.out.print("\\n${marker}\\n");
    System.out.flush();
  }
  private static boolean inTestCode(Throwable e) {
    for (StackTraceElement frame : e.getStackTrace()) {
      if ("${file}".equals(frame.getFileName())) return frame.getLineNumber() > ${sourceLines(source)};
    }
    return false;
  }
}
`,
      },
      { path: file, content: program },
    ],
  };
};
