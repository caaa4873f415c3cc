# bash completion for meshgate                                -*- shell-script -*-
# Installed as share/bash-completion/completions/meshgate.
_meshgate()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	local commands="validate check explain hook plan apply access drift unlock site score init new schema"
	local formats="text json sarif github gitlab junit markdown"
	local schemas="data-product data-product-producer-info data-product-outputs data-product-visibility data-product-consumers data-product-inputs meshgate"
	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands help --version --help" -- "$cur"))
		return
	fi
	if [ "${words[1]}" = help ]; then
		[ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	case $prev in
	-C|--directory) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-o|--output|--out|--audit) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-f|--format) COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--post-status) COMPREPLY=($(compgen -W "github gitlab" -- "$cur")); return ;;
	--base|--head|--rev|--from|--to)
		COMPREPLY=($(compgen -W "$(git for-each-ref --format='%(refname:short)' 2>/dev/null) HEAD" -- "$cur"))
		return ;;
	esac
	local opts=""
	case ${words[1]} in
	validate) opts="--staged --rev --format --output --today --no-cache --quiet --color --statistics --directory -C -f -o -q" ;;
	check) opts="--base --head --all --format --output --post-status --today --no-cache --quiet --color --statistics --directory -C -f -o -q" ;;
	plan) opts="--from --to --env --format --output --today --directory -C -f -o" ;;
	apply) opts="--env --lock-timeout --audit --batch-size --today --quiet --directory -C -q" ;;
	access) opts="--consumer --product --column --env --rev --today --directory -C" ;;
	drift) opts="--env --fix --audit --today --quiet --directory -C -q" ;;
	site) opts="--out --rev --today --title --quiet --directory -C -o -q" ;;
	score) opts="--format --min --rev --today --directory -C -f" ;;
	unlock) opts="--env --force --other-host --directory -C" ;;
	hook) opts="--force --directory -C"; [ "$cword" -eq 2 ] && opts="install uninstall $opts" ;;
	explain) opts="--list"
		[ "$cword" -eq 2 ] && opts="$opts $(meshgate explain --list 2>/dev/null | awk '{print $1}')" ;;
	init) opts="--catalogue --force --quiet --directory -C -q" ;;
	new) opts="--quiet --directory -C -q" ;;
	schema) opts="--list $schemas" ;;
	esac
	case $cur in
	-*|"") COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -W "$opts" -- "$cur")); [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _meshgate meshgate
