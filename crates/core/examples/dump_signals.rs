//! Dumps base and side signals for a landmark JSONL: `cargo run -p formcheck-core --example dump_signals -- FILE.jsonl [R]`.
use formcheck_core::kinematics::{base_signals, side_signals, Side};
use formcheck_core::landmarks::read_jsonl;
use formcheck_core::spec::ExerciseSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_default();
    let side = if std::env::args().any(|a| a == "R") { Side::Right } else { Side::Left };
    let frames = read_jsonl(std::io::BufReader::new(std::fs::File::open(&path)?))?;
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let b = base_signals(&frames, &spec);
    let s = side_signals(&b, side, &spec);
    let f = |v: Option<f64>| v.map_or("  -  ".to_string(), |v| format!("{v:6.1}"));
    println!("rep signal {:?}", b.rep_signal);
    println!("t repL repR elevL elevR yaw face hipx hipy | fwd fwdimg away awayimg hike hikeimg rot twist knee kneeimg ext abd");
    for i in (0..b.t.len()).step_by(3) {
        println!(
            "{:5.2} {} {} {} {} {} {:.2} {} | {} {} {} {} {} {} {} {} {} {} {} {}",
            b.t[i],
            f(b.rep.left[i]),
            f(b.rep.right[i]),
            f(b.elevation.left[i]),
            f(b.elevation.right[i]),
            f(b.yaw_deg[i]),
            b.face_visibility[i],
            f(b.hip_px[i].map(|p| p.0)),
            f(s.trunk_forward[i]),
            f(s.trunk_forward_img[i]),
            f(s.trunk_away[i]),
            f(s.trunk_away_img[i]),
            f(s.pelvis_hike[i]),
            f(s.pelvis_hike_img[i]),
            f(s.pelvis_rotation[i]),
            f(s.torso_twist[i]),
            f(s.support_knee[i]),
            f(s.support_knee_img[i]),
            f(s.hip_extension[i]),
            f(s.hip_abduction[i])
        );
    }
    Ok(())
}
