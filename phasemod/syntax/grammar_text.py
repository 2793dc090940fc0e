"""The Python 3.13 grammar in pgen notation, shaped like fissix's lib2to3 grammar.

Only data: it never loads tables or touches fissix; symbol names must stay compatible.
"""
from __future__ import annotations

# Rules that CPython's grammar cannot express in LL(1) are written wider here
# and narrowed afterwards by ``checks`` (e.g. ``as`` inside brackets exists for
# patterns and parenthesized with-items only).  Rules kept only for their symbol
# names (fixers refer to them) are listed at the end and are unreachable.
GRAMMAR = r"""
file_input: (NEWLINE | stmt)* ENDMARKER
single_input: NEWLINE | simple_stmt | compound_stmt NEWLINE
eval_input: testlist NEWLINE* ENDMARKER

typevar: NAME [':' test] ['=' test]
paramspec: '**' NAME ['=' test]
typevartuple: '*' NAME ['=' (test|star_expr)]
typeparams: '[' (typevar|paramspec|typevartuple) (',' (typevar|paramspec|typevartuple))* [','] ']'

decorator: '@' namedexpr_test NEWLINE
decorators: decorator+
decorated: decorators (classdef | funcdef | async_funcdef)
async_funcdef: ASYNC funcdef
funcdef: 'def' NAME [typeparams] parameters ['->' test] ':' suite
parameters: '(' [typedargslist] ')'
typedargslist: ((tname ['=' test] | '*' [tname] | '**' tname | '/')
               (',' (tname ['=' test] | '*' [tname] | '**' tname | '/'))* [','])
tname: NAME [':' (test|star_expr)]
varargslist: ((vname ['=' test] | '*' [vname] | '**' vname | '/')
             (',' (vname ['=' test] | '*' [vname] | '**' vname | '/'))* [','])
vname: NAME

stmt: simple_stmt | compound_stmt
simple_stmt: small_stmt (';' small_stmt)* [';'] NEWLINE
small_stmt: (type_stmt | expr_stmt | del_stmt | pass_stmt | flow_stmt |
             import_stmt | global_stmt | assert_stmt)
type_stmt: 'type' NAME [typeparams] '=' test
expr_stmt: (testlist_star_expr (annassign | augassign (yield_expr|testlist_star_expr) |
                     ('=' (yield_expr|testlist_star_expr))*))
annassign: ':' test ['=' (yield_expr|testlist_star_expr)]
testlist_star_expr: (test|star_expr) (',' (test|star_expr))* [',']
augassign: ('+=' | '-=' | '*=' | '@=' | '/=' | '%=' | '&=' | '|=' | '^=' |
            '<<=' | '>>=' | '**=' | '//=')
del_stmt: 'del' exprlist
pass_stmt: 'pass'
flow_stmt: break_stmt | continue_stmt | return_stmt | raise_stmt | yield_stmt
break_stmt: 'break'
continue_stmt: 'continue'
return_stmt: 'return' [testlist_star_expr]
yield_stmt: yield_expr
raise_stmt: 'raise' [test ['from' test]]
import_stmt: import_name | import_from
import_name: 'import' dotted_as_names
import_from: ('from' ('.'* dotted_name | '.'+)
              'import' ('*' | '(' import_as_names ')' | import_as_names))
import_as_name: NAME ['as' NAME]
dotted_as_name: dotted_name ['as' NAME]
import_as_names: import_as_name (',' import_as_name)* [',']
dotted_as_names: dotted_as_name (',' dotted_as_name)*
dotted_name: NAME ('.' NAME)*
global_stmt: ('global' | 'nonlocal') NAME (',' NAME)*
assert_stmt: 'assert' test [',' test]

compound_stmt: (if_stmt | while_stmt | for_stmt | try_stmt | with_stmt | funcdef |
                classdef | decorated | async_stmt | match_stmt)
async_stmt: ASYNC (funcdef | with_stmt | for_stmt)
if_stmt: 'if' namedexpr_test ':' suite ('elif' namedexpr_test ':' suite)* ['else' ':' suite]
while_stmt: 'while' namedexpr_test ':' suite ['else' ':' suite]
for_stmt: 'for' exprlist 'in' testlist_star_expr ':' suite ['else' ':' suite]
try_stmt: ('try' ':' suite
           ((except_clause ':' suite)+
            ['else' ':' suite]
            ['finally' ':' suite] |
           'finally' ':' suite))
with_stmt: 'with' with_item (',' with_item)*  ':' suite
with_item: test ['as' expr]
except_clause: 'except' ['*'] [test [(',' test)+ | 'as' NAME]]
suite: simple_stmt | NEWLINE INDENT stmt+ DEDENT

match_stmt: 'match' subject_expr ':' NEWLINE INDENT case_block+ DEDENT
subject_expr: (namedexpr_test|star_expr) (',' (namedexpr_test|star_expr))* [',']
case_block: 'case' patterns [guard] ':' suite
guard: 'if' namedexpr_test
patterns: pattern (',' pattern)* [',']
pattern: (expr|star_expr) ['as' expr]

namedexpr_test: test [':=' test]
asexpr_test: (namedexpr_test|star_expr) ['as' expr]
test: or_test ['if' or_test 'else' test] | lambdef
or_test: and_test ('or' and_test)*
and_test: not_test ('and' not_test)*
not_test: 'not' not_test | comparison
comparison: expr (comp_op expr)*
comp_op: '<'|'>'|'=='|'>='|'<='|'!='|'in'|'not' 'in'|'is'|'is' 'not'
star_expr: '*' expr
expr: xor_expr ('|' xor_expr)*
xor_expr: and_expr ('^' and_expr)*
and_expr: shift_expr ('&' shift_expr)*
shift_expr: arith_expr (('<<'|'>>') arith_expr)*
arith_expr: term (('+'|'-') term)*
term: factor (('*'|'@'|'/'|'%'|'//') factor)*
factor: ('+'|'-'|'~') factor | power
power: [AWAIT] atom trailer* ['**' factor]
atom: ('(' [yield_expr|testlist_gexp] ')' |
       '[' [listmaker] ']' |
       '{' [dictsetmaker] '}' |
       NAME | 'None' | 'True' | 'False' | NUMBER | STRING+ | '.' '.' '.')
listmaker: asexpr_test ( comp_for | (',' asexpr_test)* [','] )
testlist_gexp: asexpr_test ( comp_for | (',' asexpr_test)* [','] )
lambdef: 'lambda' [varargslist] ':' test
trailer: '(' [arglist] ')' | '[' subscriptlist ']' | '.' NAME
subscriptlist: (subscript|star_expr) (',' (subscript|star_expr))* [',']
subscript: namedexpr_test | [namedexpr_test] ':' [test] [sliceop]
sliceop: ':' [test]
exprlist: (expr|star_expr) (',' (expr|star_expr))* [',']
testlist: test (',' test)* [',']
dictsetmaker: ( ((namedexpr_test ':' asexpr_test | '**' expr)
                 (comp_for | (',' (namedexpr_test ':' asexpr_test | '**' expr))* [','])) |
                ((namedexpr_test | star_expr)
                 (comp_for | (',' (namedexpr_test | star_expr))* [','])) )

classdef: 'class' NAME [typeparams] ['(' [arglist] ')'] ':' suite

arglist: argument (',' argument)* [',']
argument: ( test [comp_for] |
            test ':=' test [comp_for] |
            test 'as' expr |
            test '=' asexpr_test |
            '**' test |
            '*' test )

comp_iter: comp_for | comp_if
comp_for: [ASYNC] 'for' exprlist 'in' or_test [comp_iter]
comp_if: 'if' or_test [comp_iter]

yield_expr: 'yield' [yield_arg]
yield_arg: 'from' test | testlist_star_expr

print_stmt: 'print' ( [ test (',' test)* [','] ] | '>>' test [ (',' test)+ [','] ] )
exec_stmt: 'exec' expr ['in' test [',' test]]
tfpdef: tname | '(' tfplist ')'
tfplist: tfpdef (',' tfpdef)* [',']
vfpdef: vname | '(' vfplist ')'
vfplist: vfpdef (',' vfpdef)* [',']
with_var: 'as' expr
testlist_safe: old_test [(',' old_test)+ [',']]
old_test: or_test | old_lambdef
old_lambdef: 'lambda' [varargslist] ':' old_test
testlist1: test (',' test)*
encoding_decl: NAME
"""
