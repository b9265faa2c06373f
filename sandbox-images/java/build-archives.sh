#!/bin/sh
# Image build step: the compile driver's jar, then class-data-sharing archives of
# the classes javac and typical programs load, made from sample compiles and runs.
# A JVM start maps them instead of parsing and verifying those classes again.
set -eu
cd /opt/verdict/java
# Flags as in src/languages/java/index.ts, so that the lists hold what those JVMs load.
COMPILE_JVM="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData"
RUN_JVM="-XX:+UseSerialGC -XX:-UsePerfData -ea"
JAVAC_OPTIONS="-encoding UTF-8 -proc:none -d classes"

javac -d /tmp/driver src/Compile.java
jar --create --file compile.jar -C /tmp/driver .

mkdir /tmp/w
cp src/warmup/*.java /tmp/w/
cd /tmp/w
compile() {
  java $COMPILE_JVM -XX:DumpLoadedClassList="/tmp/javac-$1.classlist" -cp /opt/verdict/java/compile.jar Compile "$1.java" classes/.main $JAVAC_OPTIONS "$1.java"
}
compile Warm
compile Throws
# Compile errors are frequent: their reporting classes belong in the archive too.
if compile Broken 2>/dev/null; then echo "Broken.java compiled" >&2; exit 1; fi
# Joined in order, without repeats: each list's order is one the JVM loaded in.
cat /tmp/javac-*.classlist | awk '!seen[$0]++' > /tmp/javac.classlist
java $COMPILE_JVM -Xshare:dump -XX:SharedClassListFile=/tmp/javac.classlist \
  -XX:SharedArchiveFile=/opt/verdict/java/javac.jsa -cp /opt/verdict/java/compile.jar > /tmp/javac-dump.log

# The program's own classes cannot be archived (they come from a directory), so no class path here.
echo 7 | java $RUN_JVM -XX:DumpLoadedClassList=/tmp/run-warm.classlist -cp classes Warm > /dev/null
if echo 1 2 3 | java $RUN_JVM -XX:DumpLoadedClassList=/tmp/run-throws.classlist -cp classes Throws > /dev/null 2>&1; then
  echo "Throws ran without throwing" >&2; exit 1
fi
cat /tmp/run-*.classlist | awk '!seen[$0]++' > /tmp/run.classlist
java $RUN_JVM -Xshare:dump -XX:SharedClassListFile=/tmp/run.classlist \
  -XX:SharedArchiveFile=/opt/verdict/java/run.jsa > /tmp/run-dump.log

cd /
rm -rf /tmp/* /opt/verdict/java/src
chmod 0444 /opt/verdict/java/*.jsa /opt/verdict/java/compile.jar
