#!/usr/bin/env python3
"""random_uniformity.py PORT [PORT ...]: how uniformly HRANDFIELD and SRANDMEMBER draw, on each
server given (for example redis-server and strata-server side by side).

For a hash and a set of 1,000 members it sends 2,000 x `HRANDFIELD k 10` (distinct picks) and
20,000 single draws, the same with SRANDMEMBER, and prints the chi-square statistic against the
uniform distribution per degree of freedom: about 1 is uniform, larger is biased. It deletes
and rewrites the key `k` in database 0. Not a timing benchmark; needs only python3."""
import socket, collections, sys
def cmd(s, *args):
    s.sendall(b'*%d\r\n'%len(args)+b''.join(b'$%d\r\n%s\r\n'%(len(a),a) for a in [x.encode() for x in args]))
def lines(s, n):
    buf=b''
    while buf.count(b'\r\n') < n: buf+=s.recv(1<<20)
    return buf.split(b'\r\n')
for port in map(int, sys.argv[1:]):
    s=socket.create_connection(('127.0.0.1',port))
    out=[]
    for kind, N in (('hash',1000),('set',1000)):
        cmd(s,'DEL','k'); lines(s,1)
        args=['HSET','k'] + sum([['f%d'%i,'v'] for i in range(N)],[]) if kind=='hash' else ['SADD','k']+['f%d'%i for i in range(N)]
        cmd(s,*args); lines(s,1)
        c='HRANDFIELD' if kind=='hash' else 'SRANDMEMBER'
        for r in range(2000): cmd(s,c,'k','10')
        cnt=collections.Counter(l for l in lines(s,2000*21) if l.startswith(b'f'))
        exp=2000*10/N
        out.append('%s count10 %.2f'%(kind, sum((cnt.get(b'f%d'%i,0)-exp)**2/exp for i in range(N))/(N-1)))
        for r in range(20000): cmd(s,c,'k')
        cnt=collections.Counter(l for l in lines(s,40000) if l.startswith(b'f'))
        exp=20000/N
        out.append('%s single %.2f'%(kind, sum((cnt.get(b'f%d'%i,0)-exp)**2/exp for i in range(N))/(N-1)))
    print(port, ' | '.join(out), '(chi-square per degree of freedom; uniform ~1)')
