use formcheck_bench::corpus::Corpus;
use formcheck_core::spec::ExerciseSpec;
use formcheck_core::StreamingAnalyzer;
use std::path::Path;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = Corpus::open(Path::new(&args[1])).expect("corpus");
    let clip = corpus.clips.iter().find(|c| c.name == args[2]).expect("clip");
    let frames = corpus.landmarks(clip).expect("landmarks");
    let spec = ExerciseSpec::cable_medius_kickback().expect("spec");
    let mut live = StreamingAnalyzer::new(spec);
    for f in &frames {
        for e in live.push(f) {
            if let Ok(s) = serde_json::to_string(&e) {
                if s.contains("\"rep\"") || s.contains("withdrawn") {
                    println!("{}", &s[..s.len().min(160)]);
                }
            }
        }
    }
}
