# Stream throughput against message size: dios streams, pipe write/read,
# vmsplice into a pipe.
#   gnuplot -e "in='...dat'; out='...png'; mode='...'" bench.gp
set terminal png size 900,600
set output out
if (!exists("mode")) mode = "QEMU TCG"
set title "stream throughput, writer and reader on one vCPU\n(" . mode . ")"
set xlabel "message size (bytes)"
set ylabel "MB/s (median, bars: min..max)"
set logscale xy
set xtics ("64" 64, "4K" 4096, "64K" 65536, "1M" 1048576)
set key top left
set grid
plot in using 1:2:3:4 with yerrorlines title "dios stream" lw 2, \
     in using 1:5:6:7 with yerrorlines title "pipe write/read" lw 2, \
     in using 1:8:9:10 with yerrorlines title "vmsplice + read" lw 2
