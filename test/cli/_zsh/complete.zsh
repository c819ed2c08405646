# Drives an interactive zsh on a pseudo-terminal (zsh/zpty): loads the completion found in directory $2 with
# compinit, types `ntpdoctor $1<Tab>`, and prints what the terminal showed. Every wait is polled, with a bound.
zmodload zsh/zpty
unset COLUMNS LINES
zpty -b z 'TERM=xterm zsh -f -i'
local all="" chunk
# Wait for a marker only the shell's output holds: the terminal's echo of the command says $((1+1)).
until_seen() {
  local end=$(( SECONDS + 60 ))
  while (( SECONDS < end )); do
    if zpty -r -t z chunk 2>/dev/null; then all+=$chunk; [[ $all == *$1* ]] && return 0; else sleep 0.1; fi
  done
  return 1
}
# A big screen and no "do you wish to see all N possibilities?": the whole list is printed at once.
zpty -w z 'stty rows 100 columns 200 2>/dev/null; LISTMAX=10000; PS1="%% "; fpath=('"$2"' $fpath); autoload -Uz compinit; compinit -u -D; zstyle ":completion:*" format "<%d>"; echo READY$((1+1))'
until_seen READY2 || { print -r -- "no prompt: $all"; exit 1 }
all=""
zpty -w -n z $'ntpdoctor '"$1"$'\t'
zpty -w -n z $'\C-a\C-k'
zpty -w z 'echo DONE$((1+1))'
until_seen DONE2 || { print -r -- "no end: $all"; exit 1 }
print -r -- "$all" | tr -d '\r'
zpty -d z
